#include "foldfit/sizes/buckets.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

#include "foldfit/common/error.hpp"

namespace foldfit {

const std::vector<std::int64_t>& Buckets::defaults() { return newest_tagged_release().buckets; }

Buckets::Buckets() : sizes_(defaults()) {}

Buckets::Buckets(const Af3Release& release) : sizes_(release.buckets) {}

Buckets::Buckets(std::vector<std::int64_t> sizes) : sizes_(std::move(sizes)) {
  if (sizes_.empty()) throw std::invalid_argument("the bucket list is empty");
  for (std::size_t i = 0; i < sizes_.size(); ++i) {
    if (sizes_[i] <= 0) throw std::invalid_argument(fmt::format("bucket {} is not a positive size", sizes_[i]));
    if (sizes_[i] > kMaxBucket)
      throw std::invalid_argument(fmt::format("bucket {} is larger than {} tokens", sizes_[i], kMaxBucket));
    if (i && sizes_[i] <= sizes_[i - 1])
      throw std::invalid_argument(
          fmt::format("buckets must be strictly increasing: {} follows {}", sizes_[i], sizes_[i - 1]));
  }
}

Buckets Buckets::parse(std::string_view text) {
  std::vector<std::int64_t> sizes;
  std::size_t start = 0;
  int index = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view item = text.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    std::int64_t v = 0;
    auto [ptr, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc{} || ptr != item.data() + item.size())
      throw UsageError(fmt::format("--buckets: element {} ('{}') is not an integer", index + 1, item));
    sizes.push_back(v);
    ++index;
    start = end + 1;
  }
  try {
    return Buckets(std::move(sizes));
  } catch (const std::invalid_argument& e) {
    throw UsageError(fmt::format("--buckets: {}", e.what()));
  }
}

std::int64_t Buckets::pad(std::int64_t tokens) const {
  auto it = std::lower_bound(sizes_.begin(), sizes_.end(), tokens);
  return it == sizes_.end() ? tokens : *it;
}

std::string Buckets::to_string() const { return fmt::format("{}", fmt::join(sizes_, ",")); }

std::int64_t flat_atoms(std::int64_t padded_tokens) { return (24 * padded_tokens + 31) / 32 * 32; }

}  // namespace foldfit
