#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# hanging-fs.py MOUNTPOINT [DELAY] — a FUSE file system like a dead NFS
# server: its root answers (so that it mounts), any path inside hangs in
# getattr until this process is killed (the kernel then fails the waiting
# calls).  With DELAY (seconds), like a slow link instead: every path is a
# folder, and each getattr inside answers after DELAY seconds.
# Runs in the foreground; caching off, so every stat reaches it.
import os
import stat
import sys
import threading

import fusepy


class Hanging(fusepy.Operations):
    def __init__(self, delay=None):
        self.delay = delay

    def getattr(self, path, fh=None):
        folder = {'st_mode': stat.S_IFDIR | 0o755, 'st_nlink': 2,
                  'st_uid': 0, 'st_gid': 0}
        if path == '/':
            return folder
        if self.delay is not None:
            threading.Event().wait(self.delay)
            return folder
        threading.Event().wait()

    def readdir(self, path, fh):
        return ['.', '..', 'remote']


if __name__ == '__main__':
    delay = float(sys.argv[2]) if len(sys.argv) > 2 else None
    fusepy.FUSE(Hanging(delay), sys.argv[1], foreground=True, nothreads=False, allow_other=True,
                attr_timeout=0, entry_timeout=0, negative_timeout=0)
