from sekisho.cli.main import main

main()
