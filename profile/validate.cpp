#include "profile/validate.hpp"
