#include "reconcile/writable_places.hpp"

namespace nsr::reconcile {

WritablePlaces snapd_system_places(const std::string& name) {
    WritablePlaces places;
    places.unrestricted = {"/tmp",     "/var/snap",    "/snap/" + name,
                           "/dev/shm", "/run/systemd", "/var/lib/snapd/hostfs/tmp"};
    const std::string snap = name.substr(0, name.find('_'));
    if (snap != name)
        places.unrestricted.push_back("/snap/" + snap);
    places.mode_hints = {
        {"/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.*", 0700},
        {"/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.*/tmp", 01777},
        {"/var/lib/snapd/hostfs/tmp/snap-private-tmp/snap.*/tmp/.X11-unix", 01777},
        {"/dev/shm/snap.*", 01777},
    };
    return places;
}

WritablePlaces user_places(const std::string& real_home) {
    WritablePlaces places;
    if (!real_home.empty())
        places.unrestricted.push_back(real_home);
    return places;
}

const std::vector<std::string>& default_native_writable() {
    // The places a host already treats as scratch.
    static const std::vector<std::string> places = {"/tmp", "/var/tmp", "/dev/shm"};
    return places;
}

WritablePlaces native_places(std::vector<std::string> places) {
    WritablePlaces out;
    out.unrestricted = std::move(places);
    out.check_walked_dirs = false;
    return out;
}

}  // namespace nsr::reconcile
