// SPDX-License-Identifier: Apache-2.0
#include "http_probe.hpp"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "haproxy_probe.hpp"
#include "sockaddr.hpp"

namespace gslbd::probe {
namespace {

// The path of HAProxy's stats page as CSV: its `stats uri` with ";csv" unless already there.
std::string stats_csv_path(const std::string& page) {
  std::string path = page;
  if (path.find(";csv") == std::string::npos) path += ";csv";
  return path;
}

// An http(s) check judges the status and a bounded prefix of the body; the HAProxy stats page
// is judged by its whole CSV, which is refused rather than cut when it is too large (a cut
// table would count too few servers).
class HttpProbe final : public Probe, public CurlTransfer {
 public:
  HttpProbe(uv_loop_t* loop, CurlDriver& driver, const health::CheckSpec& spec, ProbeDone done)
      : Probe(loop, spec.timeout_ms, std::move(done)),
        driver_(driver),
        expect_status_(spec.expect_status),
        expect_body_(spec.expect_body),
        easy_(curl_easy_init()) {
    if (spec.type == health::CheckType::haproxy) {
      stats_target_ = HaproxyTarget{spec.frontend, spec.backends, spec.min_up_servers};
      expect_status_ = {200};
      expect_body_.clear();
      body_limit_ = kMaxHaproxyStatsBytes;
    }
  }

  void start(const health::CheckSpec& spec, const util::Address& target) noexcept {
    // libcurl enforces the timeout itself; ours is the same bound, as a backstop.
    arm_timeout();
    if (easy_ == nullptr) {
      fail_soon("libcurl: cannot create a transfer");
      return;
    }
    if (target.family == 0) {
      fail_soon("no target address");
      return;
    }
    const bool stats_page = stats_target_.has_value();
    const bool tls = spec.type == health::CheckType::https || (stats_page && spec.stats_tls);
    const std::uint16_t port = spec.port != 0 ? spec.port : (tls ? 443 : 80);
    const std::string address = url_host(target);
    // The name in the URL is what TLS sends as SNI and verifies; CONNECT_TO makes libcurl
    // connect to the target address whatever that name is, without any DNS lookup.
    std::string url_name = address;
    if (tls && !spec.sni.empty()) {
      url_name = spec.sni;
    } else if (tls && !spec.host.empty()) {
      url_name = spec.host;
    }
    std::string path =
        stats_page ? stats_csv_path(spec.stats_page) : (spec.path.empty() ? "/" : spec.path);
    if (path.front() != '/') path.insert(path.begin(), '/');
    url_ = std::string(tls ? "https://" : "http://") + url_name + ":" + std::to_string(port) + path;
    connect_to_ = curl_slist_append(nullptr, ("::" + address + ":" + std::to_string(port)).c_str());
    if (!spec.host.empty() && spec.host != url_name) {
      headers_ = curl_slist_append(headers_, ("Host: " + spec.host).c_str());
    }
    for (const auto& [name, value] : spec.headers) {
      headers_ = curl_slist_append(headers_, (name + ": " + value).c_str());
    }

    curl_easy_setopt(easy_, CURLOPT_URL, url_.c_str());
    curl_easy_setopt(easy_, CURLOPT_CONNECT_TO, connect_to_);
    curl_easy_setopt(easy_, CURLOPT_PRIVATE, static_cast<void*>(static_cast<CurlTransfer*>(this)));
    curl_easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy_, CURLOPT_PROXY, "");  // never through a proxy from the environment
    curl_easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    // A check measures a fresh connection each time.
    curl_easy_setopt(easy_, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(easy_, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(spec.timeout_ms));
    curl_easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(easy_, CURLOPT_USERAGENT, "gslbd-health/1");
    if (headers_ != nullptr) curl_easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    if (stats_page) {
      // GET, whatever the http fields a template might carry say.
    } else if (spec.method == "HEAD") {
      curl_easy_setopt(easy_, CURLOPT_NOBODY, 1L);
    } else if (!spec.method.empty() && spec.method != "GET") {
      curl_easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, spec.method.c_str());
    }
    curl_easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &HttpProbe::on_body);
    curl_easy_setopt(easy_, CURLOPT_WRITEDATA, this);
    if (tls) {
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, spec.tls_verify ? 1L : 0L);
      curl_easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, spec.tls_verify ? 2L : 0L);
      if (!spec.ca_file.empty()) curl_easy_setopt(easy_, CURLOPT_CAINFO, spec.ca_file.c_str());
    }
    if (driver_.add(easy_) != CURLM_OK) {
      fail_soon("libcurl: cannot start the transfer");
      return;
    }
    added_ = true;
  }

  ~HttpProbe() override {
    if (easy_ != nullptr) curl_easy_cleanup(easy_);
    curl_slist_free_all(headers_);
    curl_slist_free_all(connect_to_);
  }

 private:
  static std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* self = static_cast<HttpProbe*>(user);
    const std::size_t bytes = size * count;
    const std::size_t room = self->body_limit_ - self->body_.size();
    try {
      if (bytes > room) {
        self->body_.append(data, room);
        self->body_truncated_ = true;
        return 0;  // ends the transfer with CURLE_WRITE_ERROR; see on_curl_done
      }
      self->body_.append(data, bytes);
    } catch (...) {
      self->body_out_of_memory_ = true;
      return 0;
    }
    return bytes;
  }

  void release() noexcept override {
    if (added_) {
      driver_.remove(easy_);
      added_ = false;
    }
  }

  void on_curl_done(CURLcode code) noexcept override {
    added_ = false;  // the driver removed it
    if (body_out_of_memory_) {
      fail("out of memory for the response body");
      return;
    }
    if (stats_target_ && body_truncated_) {
      fail("stats page larger than " + std::to_string(kMaxHaproxyStatsBytes / (1024 * 1024)) +
           " MiB");
      return;
    }
    if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && body_truncated_)) {
      fail(error_[0] != '\0' ? std::string(error_) : std::string(curl_easy_strerror(code)));
      return;
    }
    long status = 0;
    curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
    const bool status_ok = expect_status_.empty()
                               ? (status >= 200 && status < 400)
                               : std::find(expect_status_.begin(), expect_status_.end(), status) !=
                                     expect_status_.end();
    if (!status_ok) {
      fail("HTTP status " + std::to_string(status));
      return;
    }
    if (stats_target_) {
      finish(judge_haproxy_stats(body_, *stats_target_, "stats page " + url_));
      return;
    }
    if (!expect_body_.empty() && body_.find(expect_body_) == std::string::npos) {
      fail("body does not contain \"" + expect_body_.substr(0, 64) + "\"");
      return;
    }
    ProbeResult result;
    result.ok = true;
    curl_off_t total_us = 0;
    if (curl_easy_getinfo(easy_, CURLINFO_TOTAL_TIME_T, &total_us) == CURLE_OK && total_us > 0) {
      result.rtt_us = total_us > 0xffffffff ? 0xffffffffu : static_cast<std::uint32_t>(total_us);
    }
    finish(std::move(result));
  }

  CurlDriver& driver_;
  std::vector<std::uint16_t> expect_status_;
  std::string expect_body_;
  CURL* easy_;
  curl_slist* headers_ = nullptr;
  curl_slist* connect_to_ = nullptr;
  std::string url_;
  std::string body_;
  std::size_t body_limit_ = kMaxHttpBody;
  std::optional<HaproxyTarget> stats_target_;  // set: the HAProxy stats page
  bool body_truncated_ = false;
  bool body_out_of_memory_ = false;
  bool added_ = false;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace

Probe* start_http_check(uv_loop_t* loop, CurlDriver& driver, const health::CheckSpec& spec,
                        const util::Address& target, ProbeDone done) {
  auto* probe = new HttpProbe(loop, driver, spec, std::move(done));
  probe->start(spec, target);
  return probe;
}

}  // namespace gslbd::probe
