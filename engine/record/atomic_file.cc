#include "record/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "record/store.h"

namespace netlab {

void replace_file(const std::string& path, const std::string& tmp, const std::string& text,
                  mode_t mode) {
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw RecordError("cannot write " + path + ": " + what + ": " + std::strerror(err));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) fail("create " + tmp);
  for (size_t done = 0; done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      errno = err;
      fail("write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  bool synced = ::fsync(fd) == 0;
  int err = errno;
  if (::close(fd) != 0 || !synced) {
    if (!synced) errno = err;
    fail("sync " + tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail("rename " + tmp);
}

}  // namespace netlab
