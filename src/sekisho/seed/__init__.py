"""Declarative seeding: a YAML or JSON file that declares accounts and their identities.

    schema.py   the seed format: `read_seed(path, partition) -> Seed`, or `SeedError`
                (the file, the path inside it, the reason) before anything is written
    load.py     `apply_seed(store, box, seed, now) -> SeedResult`: one write
                transaction, idempotent, through the domain functions
    export.py   `export_accounts(...)` and `render(...)`: accounts back out in the
                same format, so that state round-trips

The format is described in `docs/seeding.md`.
"""
