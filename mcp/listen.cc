#include "mcp/listen.h"

#include <algorithm>
#include <utility>
#include <vector>

#include <boost/json/serialize.hpp>

#include "mcp/json_rpc.h"
#include "mcp/modern_era.h"
#include "mcp/params.h"

namespace mcp {
namespace json = boost::json;

// One listener: what its client asked for, and where its messages go.
class ListenChannel : public ResourceListener {
 public:
  ListenChannel(ResourceProvider* provider, std::optional<json::value> subscription_id, bool list_changed,
                std::vector<std::string> uris, OutboundSink sink)
      : provider_(provider),
        subscription_id_(std::move(subscription_id)),
        list_changed_(list_changed),
        uris_(std::move(uris)),
        sink_(std::move(sink)) {}

  void SetOnDropped(std::function<void()> on_dropped) {
    std::lock_guard lock(mutex_);
    on_dropped_ = std::move(on_dropped);
  }

  // Registers with the provider and sends `first` (the acknowledgement) before any change
  // can be delivered: Changed waits for the lock held here.
  rm::Status Start(CallContext& ctx, const std::shared_ptr<ListenChannel>& self, std::optional<std::string> first) {
    std::lock_guard lock(mutex_);
    if (closed_) return rm::Status::Ok();  // ended before it started (the session is closing)
    rm::Result<ListenHandle> handle = provider_->Listen(self, ctx);
    if (!handle.ok()) return handle.status();
    handle_ = std::move(*handle);
    if (first && sink_) sink_(std::move(*first));
    return rm::Status::Ok();
  }

  void Changed(const ResourceChanges& changes) override {
    std::lock_guard lock(mutex_);
    if (closed_ || !sink_) return;
    for (const std::string& uri : changes.updated) {
      const bool wanted = std::any_of(uris_.begin(), uris_.end(),
                                      [&](const std::string& s) { return provider_->Covers(s, uri); });
      if (wanted) sink_(Notification("notifications/resources/updated", json::object{{"uri", uri}}));
    }
    if (list_changed_ && changes.list_changed) {
      sink_(Notification("notifications/resources/list_changed", json::object{}));
    }
  }

  void Dropped() override {
    std::function<void()> on_dropped;
    {
      std::lock_guard lock(mutex_);
      on_dropped = std::move(on_dropped_);
    }
    if (on_dropped) on_dropped();
  }

  // Nothing more is sent, and the provider forgets the listener.
  void Close() {
    ListenHandle released;
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
      released = std::move(handle_);
      on_dropped_ = nullptr;
    }
  }

  void Send(std::string message) {
    std::lock_guard lock(mutex_);
    if (sink_) sink_(std::move(message));
  }
  void SetSink(OutboundSink sink) {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
  }
  void AddUri(const std::string& uri) {
    std::lock_guard lock(mutex_);
    if (std::find(uris_.begin(), uris_.end(), uri) == uris_.end()) uris_.push_back(uri);
  }
  void RemoveUri(const std::string& uri) {
    std::lock_guard lock(mutex_);
    uris_.erase(std::remove(uris_.begin(), uris_.end(), uri), uris_.end());
  }

 private:
  std::string Notification(std::string_view method, json::object params) const {
    if (subscription_id_) params["_meta"] = json::object{{modern::kSubscriptionIdKey, *subscription_id_}};
    return json::serialize(jsonrpc::MakeNotification(method, std::move(params)));
  }

  ResourceProvider* const provider_;
  const std::optional<json::value> subscription_id_;  // modern: the listen request's id, as sent
  const bool list_changed_;
  std::mutex mutex_;
  std::vector<std::string> uris_;
  OutboundSink sink_;
  ListenHandle handle_;
  std::function<void()> on_dropped_;
  bool closed_ = false;
};

namespace {

ResourceProvider* Provider(const ServerDefinition& server) {
  return server.resources && server.resources->SupportsListening() ? server.resources.get() : nullptr;
}

[[noreturn]] void ThrowRefused(const rm::Status& status) {
  if (status.code() == rm::Status::Code::kQuotaExceeded) {
    throw jsonrpc::Error(jsonrpc::kInvalidRequest, "Too many listeners: " + status.message());
  }
  params::ThrowStatus(status, jsonrpc::kInvalidParams);
  throw jsonrpc::Error(jsonrpc::kInternalError, "Internal error");  // not reached
}

}  // namespace

Listens::Listens(const ServerDefinition& server) : server_(server) {}

Listens::~Listens() {
  std::map<std::string, Entry> open;
  std::shared_ptr<ListenChannel> legacy;
  {
    std::lock_guard lock(mutex_);
    open.swap(open_);
    legacy = std::move(legacy_);
  }
  for (auto& [_, entry] : open) entry.channel->Close();
  if (legacy) legacy->Close();
}

std::optional<json::object> Listens::Open(const json::value& id, const json::object& params, CallContext& ctx,
                                          const OutboundSink& sink, ListenEnded ended) {
  const std::string key = json::serialize(id);
  const json::value* asked = params.if_contains("notifications");
  if (asked == nullptr || !asked->is_object()) {
    return jsonrpc::MakeError(id, jsonrpc::kInvalidParams,
                              "params.notifications is required: an object such as "
                              "{\"resourcesListChanged\":true,\"resourceSubscriptions\":[\"memory://{id}\"]}");
  }
  const json::object& filter = asked->get_object();
  ResourceProvider* provider = Provider(server_);
  // What is honoured: resources only (the tool and prompt lists never change).
  json::object honoured;
  bool list_changed = false;
  std::vector<std::string> uris;
  if (const json::value* v = filter.if_contains("resourcesListChanged"); v && v->is_bool() && v->get_bool() && provider) {
    list_changed = true;
    honoured["resourcesListChanged"] = true;
  }
  if (const json::value* v = filter.if_contains("resourceSubscriptions"); v && provider) {
    if (!v->is_array()) {
      return jsonrpc::MakeError(id, jsonrpc::kInvalidParams,
                                "params.notifications.resourceSubscriptions must be an array of URIs");
    }
    json::array kept;
    for (const json::value& uri : v->get_array()) {
      if (!uri.is_string()) continue;
      std::string u(uri.get_string());
      if (!provider->Subscribable(u) || std::find(uris.begin(), uris.end(), u) != uris.end()) continue;
      uris.push_back(u);
      kept.emplace_back(u);
    }
    if (!kept.empty()) honoured["resourceSubscriptions"] = std::move(kept);
  }
  {
    std::lock_guard lock(mutex_);
    if (open_.count(key)) {
      return jsonrpc::MakeError(id, jsonrpc::kInvalidRequest,
                                "Invalid request: id " + key + " is already used by a listen in progress");
    }
  }
  auto channel = std::make_shared<ListenChannel>(provider, id, list_changed, std::move(uris), sink);
  const std::string ack = json::serialize(jsonrpc::MakeNotification(
      "notifications/subscriptions/acknowledged",
      json::object{{"_meta", json::object{{modern::kSubscriptionIdKey, id}}}, {"notifications", honoured}}));
  if (provider && (list_changed || !honoured.empty())) {
    std::weak_ptr<Listens> weak = weak_from_this();
    channel->SetOnDropped([weak, key] {
      if (auto self = weak.lock()) self->End(key);
    });
    {
      std::lock_guard lock(mutex_);
      open_.emplace(key, Entry{channel, ended, id});
    }
    rm::Status started = channel->Start(ctx, channel, ack);
    if (!started.ok()) {
      {
        std::lock_guard lock(mutex_);
        open_.erase(key);
      }
      try {
        ThrowRefused(started);
      } catch (const jsonrpc::Error& e) {
        return jsonrpc::MakeError(id, e.code(), e.what(), e.data());
      }
    }
    return std::nullopt;
  }
  // Nothing this server can honour: acknowledged, and open until the client ends it.
  {
    std::lock_guard lock(mutex_);
    open_.emplace(key, Entry{channel, ended, id});
  }
  channel->Send(ack);
  return std::nullopt;
}

bool Listens::Cancel(const std::string& key) {
  Entry entry;
  {
    std::lock_guard lock(mutex_);
    auto it = open_.find(key);
    if (it == open_.end()) return false;
    entry = std::move(it->second);
    open_.erase(it);
  }
  entry.channel->Close();
  if (entry.ended) entry.ended(std::nullopt);
  return true;
}

void Listens::End(const std::string& key) {
  Entry entry;
  {
    std::lock_guard lock(mutex_);
    auto it = open_.find(key);
    if (it == open_.end()) return;
    entry = std::move(it->second);
    open_.erase(it);
  }
  entry.channel->Close();
  json::value result = json::object{{"_meta", json::object{{modern::kSubscriptionIdKey, entry.id}}}};
  modern::CompleteResult("subscriptions/listen", result, server_.info);
  std::string final_message = json::serialize(jsonrpc::MakeResult(entry.id, std::move(result)));
  if (entry.ended) {
    entry.ended(std::move(final_message));
  } else {
    entry.channel->Send(std::move(final_message));  // stdio: where the notifications went
  }
}

void Listens::EndAll() {
  std::vector<std::string> keys;
  std::shared_ptr<ListenChannel> legacy;
  std::function<void()> stream_ended;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [key, _] : open_) keys.push_back(key);
    legacy = std::move(legacy_);
    stream_ended = std::move(stream_ended_);
    stream_ = nullptr;
  }
  for (const std::string& key : keys) End(key);
  if (legacy) legacy->Close();
  if (stream_ended) stream_ended();
}

std::size_t Listens::open() const {
  std::lock_guard lock(mutex_);
  return open_.size();
}

std::shared_ptr<ListenChannel> Listens::Legacy(CallContext& ctx, const OutboundSink& fallback) {
  ResourceProvider* provider = Provider(server_);
  if (!provider) throw jsonrpc::Error(jsonrpc::kMethodNotFound, "Method not found: this server offers no subscriptions");
  {
    std::lock_guard lock(mutex_);
    if (legacy_) return legacy_;
    legacy_fallback_ = fallback;
  }
  OutboundSink sink;
  {
    std::lock_guard lock(mutex_);
    sink = stream_ ? stream_ : fallback;
  }
  auto channel = std::make_shared<ListenChannel>(provider, std::nullopt, true, std::vector<std::string>{}, sink);
  std::weak_ptr<Listens> weak = weak_from_this();
  std::weak_ptr<ListenChannel> weak_channel = channel;
  channel->SetOnDropped([weak, weak_channel] {
    auto self = weak.lock();
    auto ch = weak_channel.lock();
    if (self && ch) self->DropLegacy(ch);
  });
  rm::Status started = channel->Start(ctx, channel, std::nullopt);
  if (!started.ok()) ThrowRefused(started);
  std::lock_guard lock(mutex_);
  if (legacy_) {  // another thread won the race: keep its channel
    channel->Close();
    return legacy_;
  }
  legacy_ = channel;
  return channel;
}

void Listens::DropLegacy(const std::shared_ptr<ListenChannel>& channel) {
  std::function<void()> stream_ended;
  {
    std::lock_guard lock(mutex_);
    if (legacy_ != channel) return;
    legacy_.reset();
    stream_ended = std::move(stream_ended_);
    stream_ = nullptr;
  }
  channel->Close();
  if (stream_ended) stream_ended();
}

json::value Listens::Subscribe(const json::object& params, CallContext& ctx, const OutboundSink& fallback) {
  const std::string uri = params::RequiredString(params, "uri");
  ResourceProvider* provider = Provider(server_);
  if (provider && !provider->Subscribable(uri)) {
    throw jsonrpc::Error(jsonrpc::kInvalidParams, "params.uri: cannot subscribe to " + uri.substr(0, 200) +
                                                      " (subscribe to memory://{id} URIs, or to the template "
                                                      "memory://{id} itself for every memory)");
  }
  Legacy(ctx, fallback)->AddUri(uri);
  return json::object{};
}

json::value Listens::Unsubscribe(const json::object& params) {
  const std::string uri = params::RequiredString(params, "uri");
  if (!Provider(server_)) throw jsonrpc::Error(jsonrpc::kMethodNotFound, "Method not found: this server offers no subscriptions");
  std::shared_ptr<ListenChannel> legacy;
  {
    std::lock_guard lock(mutex_);
    legacy = legacy_;
  }
  if (legacy) legacy->RemoveUri(uri);
  return json::object{};
}

bool Listens::OpenStream(OutboundSink sink, std::function<void()> ended, CallContext& ctx) {
  {
    std::lock_guard lock(mutex_);
    if (stream_) return false;
    stream_ = sink;
    stream_ended_ = std::move(ended);
  }
  try {
    Legacy(ctx, nullptr)->SetSink(std::move(sink));
  } catch (...) {
    std::lock_guard lock(mutex_);
    stream_ = nullptr;
    stream_ended_ = nullptr;
    throw;
  }
  return true;
}

void Listens::CloseStream() {
  std::shared_ptr<ListenChannel> legacy;
  {
    std::lock_guard lock(mutex_);
    stream_ = nullptr;
    stream_ended_ = nullptr;
    legacy = legacy_;
  }
  if (legacy) legacy->SetSink(legacy_fallback_);
}

}  // namespace mcp
