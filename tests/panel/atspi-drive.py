#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# atspi-drive.py — reads and drives offlinefiles-settings through AT-SPI,
# as a screen reader would, for tests/panel/test-panel-program.c.  One
# action per run, so that the test holds a deadline over a frozen program:
#
#   atspi-drive.py get ROLE NAME        print the value (spin button: the
#                                       number; label: its text; else
#                                       "sensitive"/"insensitive")
#   atspi-drive.py set ROLE NAME VALUE  set a spin button's value
#   atspi-drive.py click ROLE NAME      its first action (click, toggle)
#
# ROLE is an AT-SPI role name ("spin button", "push button", "label"…), NAME
# the accessible name.  Exit 0, or 1 with the reason on stderr.
import sys

import pyatspi

APP = "offlinefiles-settings"


def find(role, name):
    desktop = pyatspi.Registry.getDesktop(0)
    for app in desktop:
        if app is None or app.name != APP:
            continue
        found = pyatspi.findDescendant(
            app, lambda a: a is not None and a.getRoleName() == role and a.name == name)
        if found is not None:
            return found
    sys.exit(f"no {role} named {name!r} in {APP}")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    action, role, name = argv[0], argv[1], argv[2]
    node = find(role, name)
    if action == "get":
        if role == "spin button":
            print(int(node.queryValue().currentValue))
        elif role == "label":
            text = node.queryText()
            print(text.getText(0, text.characterCount))
        else:
            states = node.getState()
            print("sensitive" if states.contains(pyatspi.STATE_SENSITIVE) else "insensitive")
    elif action == "set" and len(argv) == 4:
        node.queryValue().currentValue = float(argv[3])
    elif action == "click":
        node.queryAction().doAction(0)
    else:
        sys.exit(f"unknown action {action}")


if __name__ == "__main__":
    main(sys.argv[1:])
