#include "foldfit/common/atomic_file.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include "foldfit/common/error.hpp"

namespace foldfit {

namespace fs = std::filesystem;

OutputError::OutputError(std::string path, const std::string& message)
    : std::runtime_error(path + ": " + message), path_(std::move(path)) {}

namespace {

std::string folder_of(const std::string& path) {
  std::string parent = fs::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Refuses what must not be replaced: anything without force, and never a folder or a
// device (renaming over /dev/full as root would replace the device node).
void check_target(const std::string& path, bool force) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) throw UsageError(path + ": is a folder; give a file name for the output");
  if (!S_ISREG(st.st_mode)) throw UsageError(path + ": exists and is not a regular file; refusing to replace it");
  if (!force) throw UsageError(path + ": already exists; give --force to overwrite it");
}

std::string random_suffix() {
  static constexpr char kChars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::random_device rd;
  std::string s;
  for (int i = 0; i < 8; ++i) s.push_back(kChars[rd() % (sizeof kChars - 1)]);
  return s;
}

}  // namespace

AtomicFile::AtomicFile(std::string path, bool force, WriteFn write)
    : path_(std::move(path)), force_(force), write_(std::move(write)) {
  if (path_.empty() || path_.back() == '/') throw UsageError("'" + path_ + "': give a file name for the output");
  if (!write_) write_ = [](int fd, const char* data, std::size_t n) { return ::write(fd, data, n); };
  check_target(path_, force_);
  const std::string folder = folder_of(path_);
  const std::string name = fs::path(path_).filename().string();
  // Hidden, in the same folder so that rename() stays on one file system.
  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = (fs::path(folder) / ("." + name + ".tmp-" + random_suffix())).string();
    // 0666 before the umask, as any new file: the output gets the user's usual mode.
    fd_ = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) {
      temp_ = std::move(temp);
      return;
    }
    if (errno == EEXIST) continue;
    int err = errno;
    struct stat st {};
    if (::stat(folder.c_str(), &st) != 0)
      throw OutputError(path_, "cannot write: the folder " + folder + " does not exist");
    if (!S_ISDIR(st.st_mode)) throw OutputError(path_, "cannot write: " + folder + " is not a folder");
    throw OutputError(path_, std::string("cannot write in ") + folder + ": " + std::strerror(err));
  }
  throw OutputError(path_, "cannot create a temporary file in " + folder);
}

AtomicFile::~AtomicFile() {
  if (!committed_) discard();
}

void AtomicFile::discard() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

void AtomicFile::fail(const std::string& what, int err) {
  discard();
  throw OutputError(path_, what + ": " + std::strerror(err));
}

void AtomicFile::write(std::string_view data) {
  if (fd_ < 0) throw std::logic_error("AtomicFile::write after commit or failure");
  while (!data.empty()) {
    ssize_t n = write_(fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail("cannot write", errno);
    if (n == 0) fail("cannot write", EIO);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void AtomicFile::commit() {
  if (fd_ < 0) throw std::logic_error("AtomicFile::commit twice or after a failure");
  // Data on disk before the name points at it; otherwise a crash could leave an empty file.
  if (::fsync(fd_) != 0) fail("cannot write (fsync)", errno);
  int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail("cannot write (close)", errno);
  if (force_) {
    check_target(path_, true);
    if (::rename(temp_.c_str(), path_.c_str()) != 0) fail("cannot rename the temporary file into place", errno);
  } else if (::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EEXIST) {
      discard();
      throw UsageError(path_ + ": already exists; give --force to overwrite it");
    }
    // File systems without RENAME_NOREPLACE: link() also refuses an existing name.
    if (err != EINVAL && err != ENOSYS) fail("cannot rename the temporary file into place", err);
    if (::link(temp_.c_str(), path_.c_str()) != 0) {
      err = errno;
      if (err == EEXIST) {
        discard();
        throw UsageError(path_ + ": already exists; give --force to overwrite it");
      }
      fail("cannot move the temporary file into place", err);
    }
    ::unlink(temp_.c_str());
  }
  committed_ = true;
  temp_.clear();
  // The rename itself is durable once the folder is synced (best effort: not every
  // file system supports fsync on a folder).
  int dir = ::open(folder_of(path_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void write_file_atomically(const std::string& path, std::string_view content, bool force, WriteFn write) {
  AtomicFile f(path, force, std::move(write));
  f.write(content);
  f.commit();
}

void replace_file_atomically(const std::string& path, std::string_view content) {
  std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) throw OutputError(path, "cannot create its folder: " + ec.message());
  }
  write_file_atomically(path, content, true);
}

}  // namespace foldfit
