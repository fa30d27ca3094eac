#include "profile/flags.hpp"
