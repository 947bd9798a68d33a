"""Why a path named on the command line cannot be read as a file, in words for an error.

Spec files, plan files, offsets CSVs and client properties are all named by users, and
a path can be something other than a missing or readable file: a dangling symbolic
link, a link loop, a named pipe (reading one blocks until someone writes), a socket or
a device. Each gets its own message and hint instead of a generic "does not exist" or
a hang. Only `os.stat`; nothing is opened.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path


def path_problem(path: str | Path) -> tuple[str, str] | None:
    """(message, hint) when `path` is not a regular file or directory that exists; None otherwise.

    The message reads after the path: ``plan.json: is a symbolic link loop``.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            target = os.readlink(path)
            return (
                f"is a symbolic link to {target}, which does not exist",
                "fix or remove the link, or give the file it should point to",
            )
        return "does not exist", "check the path"
    except NotADirectoryError:
        return "does not exist (a part of the path is a file, not a directory)", "check the path"
    except PermissionError:
        return "cannot be reached: permission denied", "check the permissions of the file and its directories"
    except OSError as err:
        if err.errno == errno.ELOOP:
            return (
                "is a symbolic link loop (the links point at each other)",
                "fix the link so that it ends at a file",
            )
        if err.errno == errno.ENAMETOOLONG:
            return "is too long a path for this system", "give a shorter path"
        return f"cannot be read ({err.strerror or err})", "check the path"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = (
        "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a special file"
    )
    return (
        f"is {kind}, not a file: kadmin reads only regular files (a pipe could block forever)",
        "save the content to a file and give that file",
    )
