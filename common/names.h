/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* names.h — every name the daemon, the client, the panel and the tests
 * agree on: the bus name, object paths, interfaces, error names and
 * polkit action ids.  Defined here once; nobody spells them again.
 */
#pragma once

#define OF_BUS_NAME               "org.offlinefiles.BackgroundSync"
#define OF_OBJECT_PATH            "/org/offlinefiles/BackgroundSync"
/* Share objects are OF_SHARE_PATH_PREFIX + the escaped share name. */
#define OF_SHARE_PATH_PREFIX      OF_OBJECT_PATH "/share/"

#define OF_INTERFACE_BACKGROUND_SYNC "org.offlinefiles.BackgroundSync"
#define OF_INTERFACE_SHARE           "org.offlinefiles.Share"
/* On the main object too: Win32_OfflineFilesMachineConfiguration. */
#define OF_INTERFACE_MACHINE_CONFIGURATION "org.offlinefiles.MachineConfiguration"

#define OF_ERROR_PREFIX           "org.offlinefiles.BackgroundSync.Error."
#define OF_ERROR_NAME_FAILED      OF_ERROR_PREFIX "Failed"
#define OF_ERROR_NAME_STORAGE     OF_ERROR_PREFIX "Storage"
#define OF_ERROR_NAME_LOCKED      OF_ERROR_PREFIX "Locked"
/* AddShare: a share of that name is there already. */
#define OF_ERROR_NAME_EXISTS      OF_ERROR_PREFIX "Exists"
#define OF_ERROR_NAME_INTERACTIVE_AUTHORIZATION_REQUIRED \
  "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired"

#define OF_ACTION_CONFIGURE       "org.offlinefiles.backgroundsync.configure"
#define OF_ACTION_SYNC            "org.offlinefiles.backgroundsync.sync"
#define OF_ACTION_WORK_OFFLINE    "org.offlinefiles.backgroundsync.work-offline"
/* Acting on one's own shares (conflicts, a share's sync, adding and
 * removing one's own), and on anyone's. */
#define OF_ACTION_MANAGE_OWN_SHARES "org.offlinefiles.backgroundsync.manage-own-shares"
#define OF_ACTION_MANAGE_SHARES     "org.offlinefiles.backgroundsync.manage-shares"
