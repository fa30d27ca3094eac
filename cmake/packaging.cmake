# Installing nsreconcile as a system tool, and its Debian package.
#
# `cmake --install build` puts the binary in /usr/bin (the default prefix is
# /usr: a package manager's hook needs the binary at a fixed path, and the
# manual pages name /usr/share/nsreconcile); --prefix or DESTDIR moves it.
# `cpack -G DEB` (in the build directory) builds nsreconcile_VERSION_ARCH.deb.

install(TARGETS nsreconcile RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The snap-update-ns personality is reachable by name from a private
# directory, not from /usr/bin: snapd runs its own /usr/lib/snapd/snap-update-ns
# by absolute path, so a snap-update-ns in PATH would replace nothing for
# snapd and would only make `snap-update-ns` typed in a shell run a different
# tool than snapd's. An administrator who wants snapd to use nsreconcile
# diverts snapd's binary to this link on purpose.
set(NSR_PRIVATE_DIR lib/nsreconcile)
file(RELATIVE_PATH nsr_to_binary "/${NSR_PRIVATE_DIR}" "/${CMAKE_INSTALL_BINDIR}/nsreconcile")
file(CREATE_LINK ${nsr_to_binary} ${CMAKE_BINARY_DIR}/snap-update-ns-link SYMBOLIC)
install(FILES ${CMAKE_BINARY_DIR}/snap-update-ns-link DESTINATION ${NSR_PRIVATE_DIR}
        RENAME snap-update-ns)

set(NSR_PACKAGE_CONTACT "nsreconcile maintainers <root@localhost>"
    CACHE STRING "The Maintainer of the Debian package")

set(CPACK_PACKAGE_NAME nsreconcile)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${NSR_PACKAGE_CONTACT})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "keep an application's mount namespace in step with its mount profile")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
    "nsreconcile applies a declared mount profile to a running application's mount "
    "namespace, checking every change against the live mount table, attaching a "
    "replacement beneath the mount it replaces, and building writable mimics detached. "
    "It is a drop-in for snapd's snap-update-ns, with the same profiles and paths.")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends comes from the shared libraries the binary really links
# (dpkg-shlibdeps), so linking a library statically drops it by itself.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
