#include "mountinfo/mount_table.hpp"
