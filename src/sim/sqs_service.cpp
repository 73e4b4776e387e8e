// Amazon SQS (query 2012-11-05 as Debian's clients speak it, and json 1.0): the queues that
// AWS Marketplace's SNS topics deliver to. ReceiveMessage (with visibility timeouts),
// DeleteMessage, SendMessage and GetQueueUrl. Queue URLs are on the simulator's own host:
// {base}/{account}/{name}.
#include <fmt/format.h>
#include <openssl/evp.h>

#include "sim/sim_state.h"

namespace sim {

namespace {

constexpr std::string_view kXmlns = "http://queue.amazonaws.com/doc/2012-11-05/";

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
  std::string out;
  for (unsigned int i = 0; i < size; ++i) out += fmt::format("{:02x}", digest[i]);
  return out;
}

bool is_json(const Call& call) { return call.http.header("X-Amz-Target").has_value(); }

std::string input(const Call& call, const std::string& name) {
  if (is_json(call)) return call.input.value(name, std::string());
  return call.param(name);
}

std::string queue_url(const State& st, const Queue& q) {
  return fmt::format("{}/{}/{}", st.base_url, q.account_id, q.name);
}

// The queue a call names, by QueueUrl or by the path it was POSTed to.
Queue& find_queue(Ctx& ctx, const Call& call) {
  std::string url = input(call, "QueueUrl");
  std::string path = url.empty() ? call.http.path : url;
  if (const auto scheme = path.find("://"); scheme != std::string::npos) {
    const auto slash = path.find('/', scheme + 3);
    path = slash == std::string::npos ? "" : path.substr(slash);
  }
  if (path.starts_with('/')) path.erase(0, 1);
  auto it = ctx.st.queues.find(path);
  if (it == ctx.st.queues.end()) {
    throw_error(400,
                is_json(call) ? "QueueDoesNotExist" : "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist for this wsdl version.");
  }
  if (it->second.account_id != call.caller.account_id) {
    throw_error(403, "AccessDenied",
                "Access to the resource " + queue_url(ctx.st, it->second) + " is denied.");
  }
  return it->second;
}

long long int_input(const Call& call, const std::string& name, long long fallback, long long min,
                    long long max) {
  long long value = fallback;
  if (is_json(call)) {
    if (call.input.contains(name)) {
      if (!call.input[name].is_number_integer())
        throw_error(400, "InvalidParameterValue", name + " must be an integer.");
      value = call.input[name].get<long long>();
    }
  } else if (call.has_param(name)) {
    try {
      value = std::stoll(call.param(name));
    } catch (const std::exception&) {
      throw_error(400, "InvalidParameterValue", name + " must be an integer.");
    }
  }
  if (value < min || value > max) {
    throw_error(400, "InvalidParameterValue",
                fmt::format("Value {} for parameter {} is invalid. Must be between {} and {}.",
                            value, name, min, max));
  }
  return value;
}

aws::HttpResponse receive_message(Ctx& ctx, const Call& call) {
  Queue& q = find_queue(ctx, call);
  const long long max = int_input(call, "MaxNumberOfMessages", 1, 1, 10);
  const long long visibility = int_input(call, "VisibilityTimeout", 30, 0, 43200);
  int_input(call, "WaitTimeSeconds", 0, 0, 20);
  std::vector<std::string> names;
  if (is_json(call)) {
    if (call.input.contains("AttributeNames"))
      for (const auto& n : call.input["AttributeNames"]) names.push_back(n.get<std::string>());
  } else {
    names = call.list_param("AttributeName", true);
  }
  auto wanted = [&](std::string_view n) {
    for (const auto& w : names) {
      if (w == "All" || w == n) return true;
    }
    return false;
  };
  Json messages = Json::array();
  std::string xml;
  long long taken = 0;
  for (auto& m : q.messages) {
    if (taken >= max) break;
    if (m.visible_at > ctx.now) continue;
    ++taken;
    ++m.receive_count;
    if (m.receive_count == 1) m.first_received = ctx.now;
    m.visible_at = ctx.now + std::chrono::seconds(visibility);
    m.receipt_handle =
        random_chars(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "=";
    std::map<std::string, std::string> attributes;
    if (wanted("SentTimestamp"))
      attributes["SentTimestamp"] =
          std::to_string(static_cast<long long>(epoch_seconds(m.sent) * 1000));
    if (wanted("ApproximateReceiveCount"))
      attributes["ApproximateReceiveCount"] = std::to_string(m.receive_count);
    if (wanted("ApproximateFirstReceiveTimestamp"))
      attributes["ApproximateFirstReceiveTimestamp"] =
          std::to_string(static_cast<long long>(epoch_seconds(m.first_received) * 1000));
    if (wanted("SenderId")) attributes["SenderId"] = "AIDAIT2UOQQY3AUEKVGXU";
    if (is_json(call)) {
      Json j = {{"MessageId", m.id},
                {"ReceiptHandle", m.receipt_handle},
                {"MD5OfBody", md5_hex(m.body)},
                {"Body", m.body}};
      if (!attributes.empty()) j["Attributes"] = attributes;
      messages.push_back(j);
    } else {
      xml += "<Message>";
      xml_element(xml, "MessageId", m.id);
      xml_element(xml, "ReceiptHandle", m.receipt_handle);
      xml_element(xml, "MD5OfBody", md5_hex(m.body));
      xml_element(xml, "Body", m.body);
      for (const auto& [k, v] : attributes) {
        xml += "<Attribute>";
        xml_element(xml, "Name", k);
        xml_element(xml, "Value", v);
        xml += "</Attribute>";
      }
      xml += "</Message>";
    }
  }
  if (is_json(call)) {
    Json out = Json::object();
    if (!messages.empty()) out["Messages"] = messages;
    return json_reply(out, call.request_id, "application/x-amz-json-1.0");
  }
  return query_reply(call, kXmlns, xml);
}

aws::HttpResponse delete_message(Ctx& ctx, const Call& call) {
  Queue& q = find_queue(ctx, call);
  const std::string handle = input(call, "ReceiptHandle");
  for (auto it = q.messages.begin(); it != q.messages.end(); ++it) {
    if (!handle.empty() && it->receipt_handle == handle) {
      q.messages.erase(it);
      if (is_json(call))
        return json_reply(Json::object(), call.request_id, "application/x-amz-json-1.0");
      return query_reply(call, kXmlns, "", false);
    }
  }
  throw_error(
      400, "ReceiptHandleIsInvalid",
      fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", handle));
}

aws::HttpResponse send_message(Ctx& ctx, const Call& call) {
  Queue& q = find_queue(ctx, call);
  const std::string body = input(call, "MessageBody");
  if (body.empty()) throw_error(400, "MissingParameter", "The request must contain MessageBody.");
  enqueue_message(ctx, q.account_id + "/" + q.name, body);
  const QueueMessage& m = q.messages.back();
  if (is_json(call)) {
    return json_reply({{"MessageId", m.id}, {"MD5OfMessageBody", md5_hex(body)}}, call.request_id,
                      "application/x-amz-json-1.0");
  }
  std::string x;
  xml_element(x, "MD5OfMessageBody", md5_hex(body));
  xml_element(x, "MessageId", m.id);
  return query_reply(call, kXmlns, x);
}

aws::HttpResponse get_queue_url(Ctx& ctx, const Call& call) {
  const std::string name = input(call, "QueueName");
  const std::string owner = input(call, "QueueOwnerAWSAccountId").empty()
                                ? call.caller.account_id
                                : input(call, "QueueOwnerAWSAccountId");
  auto it = ctx.st.queues.find(owner + "/" + name);
  if (it == ctx.st.queues.end() || it->second.account_id != call.caller.account_id) {
    throw_error(400,
                is_json(call) ? "QueueDoesNotExist" : "AWS.SimpleQueueService.NonExistentQueue",
                "The specified queue does not exist for this wsdl version.");
  }
  if (is_json(call)) {
    return json_reply({{"QueueUrl", queue_url(ctx.st, it->second)}}, call.request_id,
                      "application/x-amz-json-1.0");
  }
  std::string x;
  xml_element(x, "QueueUrl", queue_url(ctx.st, it->second));
  return query_reply(call, kXmlns, x);
}

}  // namespace

void enqueue_message(Ctx& ctx, const std::string& queue_key, const std::string& body) {
  auto it = ctx.st.queues.find(queue_key);
  if (it == ctx.st.queues.end()) return;
  QueueMessage m;
  const std::string hex = random_chars(32, "0123456789abcdef");
  m.id = fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
  m.body = body;
  m.sent = ctx.now;
  m.visible_at = ctx.now;
  it->second.messages.push_back(std::move(m));
  ++ctx.st.queue_version;
}

aws::HttpResponse sqs_call(Ctx& ctx, const Call& call) {
  const std::string& op = call.operation;
  if (op == "ReceiveMessage") return receive_message(ctx, call);
  if (op == "DeleteMessage") return delete_message(ctx, call);
  if (op == "SendMessage") return send_message(ctx, call);
  if (op == "GetQueueUrl") return get_queue_url(ctx, call);
  throw_error(400, "InvalidAction", "The action " + op + " is not valid for this endpoint.");
}

}  // namespace sim
