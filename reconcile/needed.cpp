#include "reconcile/needed.hpp"
