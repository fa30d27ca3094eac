#include "profile/xsnapd.hpp"
