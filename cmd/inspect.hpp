// What `check` and `ns list` report about one namespace: is it alive, how
// many entries its current profile has, and how far it has drifted.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "cmd/layout.hpp"
#include "reconcile/drift.hpp"

namespace nsr::cmd {

struct NamespaceState {
    bool alive = false;                           // the namespace file holds a mount namespace
    size_t entries = 0;                           // in the current profile
    std::optional<reconcile::DriftReport> drift;  // only when alive
};

// Reads the current profile on the host side, then judges it against the
// namespace's live mount table from a child that enters the namespace, so
// the caller stays where it is. A malformed current profile throws.
NamespaceState inspect_namespace(const Paths& paths);

// {"in_step", "checked", "drift":[{"kind","dir","entry"?,"detail"}]}
nlohmann::json drift_json(const reconcile::DriftReport& report);

}  // namespace nsr::cmd
