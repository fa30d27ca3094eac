#include "cmd/inspect.hpp"

#include "cmd/ns_file.hpp"
#include "mountinfo/mount_table.hpp"
#include "profile/fstab.hpp"
#include "reconcile/fs_view.hpp"

namespace nsr::cmd {

using reconcile::DriftItem;
using reconcile::DriftReport;

namespace {

DriftItem::Kind kind_from_name(const std::string& name) {
    for (auto k : {DriftItem::Kind::Missing, DriftItem::Kind::Differs, DriftItem::Kind::Extra}) {
        if (reconcile::drift_kind_name(k) == name)
            return k;
    }
    throw std::runtime_error("unknown drift kind '" + name + "'");
}

DriftReport report_from_json(const nlohmann::json& j) {
    DriftReport r;
    r.checked = j.at("checked").get<size_t>();
    for (const auto& item : j.at("drift")) {
        DriftItem d{kind_from_name(item.at("kind").get<std::string>()),
                    item.at("dir").get<std::string>(), std::nullopt,
                    item.at("detail").get<std::string>()};
        if (item.contains("entry")) {
            auto p = profile::parse_profile(item.at("entry").get<std::string>(), "drift report");
            d.entry = p.entries.at(0);
        }
        r.items.push_back(std::move(d));
    }
    return r;
}

}  // namespace

NamespaceState inspect_namespace(const Paths& paths) {
    NamespaceState state;
    const profile::MountProfile current = profile::load_profile(paths.current);
    state.entries = current.entries.size();
    state.alive = namespace_alive(paths.ns_file);
    if (!state.alive)
        return state;
    std::string text = in_namespace(paths.ns_file, [&] {
        reconcile::LiveFsView fs;
        return drift_json(reconcile::drift(current, mountinfo::MountTable::from_self(), fs)).dump();
    });
    state.drift = report_from_json(nlohmann::json::parse(text));
    return state;
}

nlohmann::json drift_json(const DriftReport& report) {
    auto items = nlohmann::json::array();
    for (const auto& d : report.items) {
        nlohmann::json j = {{"kind", reconcile::drift_kind_name(d.kind)}, {"dir", d.dir}};
        if (d.entry)
            j["entry"] = d.entry->to_string();
        j["detail"] = d.detail;
        items.push_back(std::move(j));
    }
    return {{"in_step", report.in_step()}, {"checked", report.checked}, {"drift", items}};
}

}  // namespace nsr::cmd
