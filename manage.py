#!/usr/bin/env python
"""Django's command-line utility; `postqc` (installed by pyproject) is the same thing."""
from postqc.__main__ import main

if __name__ == "__main__":
    main()
