from idmint.cli import main

main()
