#include "profile/mount_entry.hpp"
