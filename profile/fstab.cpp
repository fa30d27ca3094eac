#include "profile/fstab.hpp"
