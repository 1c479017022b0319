"""`python -m fleetbot`."""

from fleetbot.cli import main

if __name__ == "__main__":
    main()
