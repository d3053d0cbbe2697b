// A small local HTTP server that stands in for an LLM provider's OpenAI-compatible
// API in tests (topic names, embeddings): one thread on 127.0.0.1, one request per
// connection, each POST answered with handler(body); it keeps what it was sent.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rm::testing {

// One-thread HTTP server on 127.0.0.1: answers each POST with handler(body) and
// `status` (200 unless given), keeps what it was sent.
class FakeProvider {
 public:
  using Handler = std::function<std::string(const std::string& body)>;
  explicit FakeProvider(Handler handler, unsigned status = 200) : handler_(std::move(handler)), status_(status) {
    acceptor_.open(boost::asio::ip::tcp::v4());
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeProvider() {
    stopping_ = true;
    boost::system::error_code ec;
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes the accept
    thread_.join();
  }
  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/v1"; }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  std::vector<std::string> targets() {
    std::lock_guard lock(mutex_);
    return targets_;
  }
  std::vector<std::string> authorizations() {
    std::lock_guard lock(mutex_);
    return authorizations_;
  }

 private:
  void Serve() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      boost::beast::flat_buffer buffer;
      boost::beast::http::request<boost::beast::http::string_body> request;
      boost::beast::http::read(socket, buffer, request, ec);
      if (ec) continue;
      {
        std::lock_guard lock(mutex_);
        bodies_.push_back(request.body());
        targets_.emplace_back(request.target());
        authorizations_.emplace_back(request[boost::beast::http::field::authorization]);
      }
      boost::beast::http::response<boost::beast::http::string_body> response{
          static_cast<boost::beast::http::status>(status_), 11};
      response.set(boost::beast::http::field::content_type, "application/json");
      response.body() = handler_(request.body());
      response.prepare_payload();
      boost::beast::http::write(socket, response, ec);
    }
  }

  Handler handler_;
  unsigned status_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_};
  std::atomic<bool> stopping_{false};
  std::mutex mutex_;
  std::vector<std::string> bodies_, targets_, authorizations_;
  std::thread thread_;
};

}  // namespace rm::testing
