from selfservice.cli import main

main()
