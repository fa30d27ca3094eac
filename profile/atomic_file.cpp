#include "profile/atomic_file.hpp"
