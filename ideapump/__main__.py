from ideapump.cli import main

main()
