#include "reconcile/fs_view.hpp"
