// SPDX-License-Identifier: Apache-2.0
#include "peer_push.hpp"

#include <spdlog/spdlog.h>

#include <vector>

#include "push_document.hpp"

namespace gslbd::control {

PeerPush::PeerPush(probe::CurlDriver& driver, std::string peer_name)
    : driver_(driver), name_(std::move(peer_name)) {}

PeerPush::~PeerPush() {
  if (easy_ == nullptr) return;
  driver_.remove(easy_);
  release();
}

void PeerPush::release() noexcept {
  curl_easy_cleanup(easy_);
  easy_ = nullptr;
  curl_slist_free_all(headers_);
  headers_ = nullptr;
}

void PeerPush::push(const OperatorAction& action, const Settings& settings) noexcept {
  try {
    settings_ = settings;
    const bool queued = queue_.find(action.pool, action.member, action.kind) != nullptr;
    if (!queued && queue_.size() >= kMaxQueuedPushRecords) {
      if (report_.dropped++ == 0 || report_.dropped % 1000 == 0) {
        spdlog::warn(
            "peers: {}: {} push records dropped (queue full at {}); the peer gets them at its "
            "next poll",
            name_, report_.dropped, kMaxQueuedPushRecords);
      }
      return;
    }
    queue_.merge(action);
  } catch (const std::exception& e) {  // out of memory: the peer's next poll brings it
    ++report_.dropped;
    spdlog::warn("peers: {}: push not queued: {}", name_, e.what());
    return;
  }
  if (easy_ == nullptr) start();
}

std::size_t PeerPush::on_write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* self = static_cast<PeerPush*>(user);
  const std::size_t n = size * count;
  if (self->reply_.size() + n > kMaxPushReplyBytes) {
    self->oversized_ = true;
    return 0;  // libcurl ends the transfer with CURLE_WRITE_ERROR
  }
  self->reply_.append(data, n);
  return n;
}

void PeerPush::start() noexcept {
  if (queue_.size() == 0) return;
  std::vector<OperatorAction> batch;
  try {
    for (const auto& [key, a] : queue_.records()) {
      if (batch.size() == kMaxPushActions) break;
      batch.push_back(a);
    }
    body_ = render_push(settings_.identity, batch);
    std::string base = settings_.url;
    if (!base.empty() && base.back() == '/') base.pop_back();
    url_ = base + kPushPath;
    authorization_ = "Authorization: Bearer " + settings_.token;
    reply_.clear();
    // Out of the queue once in a push: a failed push is not put back, the peer's poll of this
    // instance brings the records instead.
    for (const OperatorAction& a : batch) queue_.erase(ActionSet::Key{a.pool, a.member, a.kind});
  } catch (const std::exception& e) {
    spdlog::warn("peers: {}: push not sent: {}", name_, e.what());
    return;
  }
  ++report_.sent;
  report_.records += batch.size();
  oversized_ = false;
  error_buffer_[0] = '\0';
  easy_ = curl_easy_init();
  if (easy_ == nullptr) {
    finished(0, CURLE_FAILED_INIT, "libcurl: cannot create a transfer");
    return;
  }
  // No "Expect: 100-continue": the body is small and the endpoint reads it at once.
  for (const char* header : {authorization_.c_str(), "Content-Type: application/json", "Expect:"}) {
    curl_slist* more = curl_slist_append(headers_, header);
    if (more == nullptr) {
      release();
      finished(0, CURLE_OUT_OF_MEMORY, "libcurl: out of memory");
      return;
    }
    headers_ = more;
  }
  CURL* e = easy_;
  curl_easy_setopt(e, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(e, CURLOPT_PRIVATE, static_cast<void*>(static_cast<probe::CurlTransfer*>(this)));
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROXY, "");  // never through a proxy from the environment
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers_);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, body_.c_str());
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body_.size()));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout_ms));
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxPushReplyBytes));
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &PeerPush::on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, static_cast<void*>(this));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_buffer_);
  if (driver_.add(e) != CURLM_OK) {
    release();
    finished(0, CURLE_FAILED_INIT, "libcurl: cannot start a transfer");
  }
}

void PeerPush::on_curl_done(CURLcode code) noexcept {
  long status = 0;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  release();
  finished(status, code, error_buffer_[0] != '\0' ? error_buffer_ : curl_easy_strerror(code));
  reply_.clear();
  // What was queued while this push was in flight goes now.
  start();
}

void PeerPush::finished(long status, CURLcode code, const char* detail) noexcept {
  try {
    account(status, code, detail);
  } catch (...) {  // out of memory: the counts are kept, the text is not
    ++report_.failed;
    report_.last_ok = false;
  }
}

void PeerPush::account(long status, CURLcode code, const char* detail) {
  report_.last_at = std::chrono::system_clock::now();
  const bool refused_token = code == CURLE_OK && !oversized_ && status == 401;
  std::string trouble;
  if (oversized_ || code == CURLE_FILESIZE_EXCEEDED) {
    trouble = "reply longer than " + std::to_string(kMaxPushReplyBytes) + " octets";
  } else if (code != CURLE_OK) {
    trouble = detail;
  } else if (refused_token) {
    trouble =
        "HTTP 401: the peer refused this instance's token (peers.token_file must be the same on "
        "every instance)";
  } else if (status != 200) {
    trouble = "HTTP " + std::to_string(status);
    // The receiver says why in its JSON error; a bounded reply, shown as it came.
    if (!reply_.empty()) trouble += ": " + reply_;
  }
  if (trouble.empty()) {
    ++report_.succeeded;
    const auto outcome = parse_push_outcome(reply_);
    report_.last_result = outcome ? "ok: " + std::to_string(outcome->applied) + " applied, " +
                                        std::to_string(outcome->older) + " older, " +
                                        std::to_string(outcome->refused) + " refused"
                                  : "ok";
    report_.last_ok = true;
    if (!trouble_.empty()) {
      spdlog::info("peers: {} ({}): pushes are taken again", name_, settings_.url);
    }
    trouble_.clear();
    return;
  }
  ++(refused_token ? report_.unauthorized : report_.failed);
  report_.last_ok = false;
  report_.last_result = trouble;
  // Logged when the trouble starts or changes, not at every push to a peer that is down.
  const std::string kind = code != CURLE_OK ? "curl " + std::to_string(static_cast<int>(code))
                                            : "http " + std::to_string(status);
  if (kind != trouble_) {
    spdlog::warn(
        "peers: {} ({}): push of operator actions failed: {}; the peer gets them at its next "
        "poll",
        name_, settings_.url, trouble);
  }
  trouble_ = kind;
}

}  // namespace gslbd::control
