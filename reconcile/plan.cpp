#include "reconcile/plan.hpp"
