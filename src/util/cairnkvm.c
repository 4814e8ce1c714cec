/*
 * cairnkvm.c: the one KVM probe (see cairnkvm.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "cairnerror.h"
#include "cairnkvm.h"

#define FROM CAIRN_FROM_NONE

G_STATIC_ASSERT(KVM_API_VERSION == CAIRN_KVM_API_VERSION);


static bool
cairnKvmFail(GError **error, const char *path, const char *what, int errnum)
{
    if (errnum)
        cairnErrorSetRaw(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "%s: %s: %s", path, what,
                         g_strerror(errnum));
    else
        cairnErrorSetRaw(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED, "%s: %s", path, what);
    return false;
}


bool
cairnKvmProbe(const char *path, GError **error)
{
    struct stat sb;
    int version;
    int fd;

    /* Look before opening: what is not a device is never opened (opening
     * a FIFO or a file on a slow mount could block, and a file is never
     * the answer anyway). No O_CREAT below: the probe creates nothing. */
    if (stat(path, &sb) < 0)
        return cairnKvmFail(error, path, "cannot access", errno);
    if (!S_ISCHR(sb.st_mode))
        return cairnKvmFail(error, path, "not a character device", 0);
    if ((fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0)
        return cairnKvmFail(error, path, "cannot open read-write", errno);
    /* The node may have been replaced between stat() and open(). */
    if (fstat(fd, &sb) < 0 || !S_ISCHR(sb.st_mode)) {
        close(fd);
        return cairnKvmFail(error, path, "not a character device", 0);
    }
    version = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version < 0) {
        int errsv = errno;

        close(fd);
        return cairnKvmFail(error, path, "does not answer KVM_GET_API_VERSION", errsv);
    }
    close(fd);
    if (version != CAIRN_KVM_API_VERSION) {
        cairnErrorSetRaw(error, FROM, CAIRN_ERR_CONFIG_UNSUPPORTED,
                         "%s: KVM API version %d, expected %d", path, version,
                         CAIRN_KVM_API_VERSION);
        return false;
    }
    return true;
}


bool
cairnKvmAvailable(void)
{
    return cairnKvmProbe(CAIRN_KVM_DEVICE, NULL);
}
