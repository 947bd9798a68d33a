"""`python -m kadmin` runs the command line."""

from kadmin.cli import main

if __name__ == "__main__":
    main()
