"""Test material generated with `cryptography` at test time: never real keys from elsewhere."""
