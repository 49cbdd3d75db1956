#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# hanging-fs.py MOUNTPOINT — a FUSE file system like a dead NFS server: its
# root answers (so that it mounts), any path inside hangs in getattr until
# this process is killed (the kernel then fails the waiting calls).
# Runs in the foreground; caching off, so every stat reaches it.
import os
import stat
import sys
import threading

import fusepy


class Hanging(fusepy.Operations):
    def getattr(self, path, fh=None):
        if path == '/':
            return {'st_mode': stat.S_IFDIR | 0o755, 'st_nlink': 2,
                    'st_uid': 0, 'st_gid': 0}
        threading.Event().wait()

    def readdir(self, path, fh):
        return ['.', '..', 'remote']


if __name__ == '__main__':
    fusepy.FUSE(Hanging(), sys.argv[1], foreground=True, nothreads=False, allow_other=True,
                attr_timeout=0, entry_timeout=0, negative_timeout=0)
