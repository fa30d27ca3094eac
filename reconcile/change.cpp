#include "reconcile/change.hpp"
