#include "parse/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>
#include <unordered_map>

namespace netlab {
namespace {

struct TooManyNodes {
  Pos pos;
};

class TreeBuilder : public YAML::EventHandler {
 public:
  TreeBuilder(YDocument& doc, std::string_view text, std::shared_ptr<const std::string> file,
              Diagnostics& diags)
      : doc_(doc), text_(text), file_(std::move(file)), diags_(diags) {}

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YNode& n = make(YNode::Kind::Null, mark, anchor);
    if (!stack_.empty() && stack_.back().node->kind == YNode::Kind::Seq) n.pos = dash_before(mark);
    add(n);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    YNode& n = make(YNode::Kind::Alias, mark, 0);
    auto it = anchors_.find(anchor);
    // yaml-cpp refuses undefined anchors itself; stay safe if it ever did not.
    if (it == anchors_.end()) {
      n.kind = YNode::Kind::Null;
    } else {
      n.target = it->second;
    }
    add(n);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YNode& n = make(YNode::Kind::Scalar, mark, anchor);
    n.value = value;
    n.plain = tag == "?";
    add(n);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    YNode& n = make(YNode::Kind::Seq, mark, anchor);
    add(n);
    stack_.push_back(Frame{&n});
  }
  void OnSequenceEnd() override { stack_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    YNode& n = make(YNode::Kind::Map, mark, anchor);
    add(n);
    stack_.push_back(Frame{&n});
  }
  void OnMapEnd() override { stack_.pop_back(); }

 private:
  struct Frame {
    YNode* node;
    bool have_key = false;
    bool key_ok = false;
    std::string key;
    Pos key_pos;
    std::unordered_map<std::string, Pos> seen;
  };

  YNode& make(YNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    Pos pos{file_, mark.line + 1, mark.column + 1};
    // Bound memory and time on huge flat documents; the reader bounds alias expansion.
    if (doc_.nodes.size() >= kMaxYamlNodes) throw TooManyNodes{pos};
    YNode& n = doc_.nodes.emplace_back();
    n.kind = kind;
    n.pos = std::move(pos);
    if (anchor != 0) anchors_[anchor] = &n;
    return n;
  }

  // An empty list item's mark is the next token's; point at its "-" if that is just before.
  Pos dash_before(const YAML::Mark& mark) const {
    Pos pos{file_, mark.line + 1, mark.column + 1};
    if (mark.pos < 0 || static_cast<std::size_t>(mark.pos) > text_.size()) return pos;
    std::size_t k = static_cast<std::size_t>(mark.pos);
    int line = pos.line;
    while (k > 0 && std::string_view(" \t\r\n").find(text_[k - 1]) != std::string_view::npos)
      if (text_[--k] == '\n') --line;
    if (k == 0 || text_[k - 1] != '-') return pos;
    std::size_t dash = k - 1;
    std::size_t line_start = text_.rfind('\n', dash);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    return Pos{file_, line, static_cast<int>(dash - line_start) + 1};
  }

  void add(YNode& n) {
    if (stack_.empty()) {
      doc_.root = &n;
      return;
    }
    Frame& f = stack_.back();
    if (f.node->kind == YNode::Kind::Seq) {
      f.node->items.push_back(&n);
      return;
    }
    if (!f.have_key) {
      f.have_key = true;
      const YNode* k = n.kind == YNode::Kind::Alias ? n.target : &n;
      f.key_ok = k->kind == YNode::Kind::Scalar;
      f.key_pos = n.pos;
      if (f.key_ok) {
        f.key = k->value;
      } else {
        diags_.error(n.pos, "a mapping key must be a string, not " + describe(*k));
      }
      return;
    }
    f.have_key = false;
    if (!f.key_ok) return;
    // An empty value's mark is the next token's; point at its key instead.
    if (n.kind == YNode::Kind::Null && n.pos.line != f.key_pos.line) n.pos = f.key_pos;
    auto [it, fresh] = f.seen.emplace(f.key, f.key_pos);
    if (!fresh) {
      diags_.error(f.key_pos,
                   "duplicate key \"" + f.key + "\" (first at " + it->second.line_col() + ")");
      return;
    }
    f.node->entries.push_back(YEntry{f.key, f.key_pos, &n});
  }

  YDocument& doc_;
  std::string_view text_;
  std::shared_ptr<const std::string> file_;
  Diagnostics& diags_;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, YNode*> anchors_;
};

// Sees whether a further document follows, without building it.
class DocumentStartSpy : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& m) override { start = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

Pos mark_pos(const std::shared_ptr<const std::string>& file, const YAML::Mark& m) {
  if (m.is_null()) return Pos{file, 0, 0};
  return Pos{file, m.line + 1, m.column + 1};
}

}  // namespace

std::string describe(const YNode& node) {
  const YNode& n = node.kind == YNode::Kind::Alias ? *node.target : node;
  switch (n.kind) {
    case YNode::Kind::Null:
      return "null";
    case YNode::Kind::Scalar:
      return "a string";
    case YNode::Kind::Seq:
      return "a list";
    case YNode::Kind::Map:
      return "a mapping";
    case YNode::Kind::Alias:
      break;
  }
  return "an alias";
}

std::unique_ptr<YDocument> read_yaml(std::string_view text,
                                     const std::shared_ptr<const std::string>& file,
                                     Diagnostics& diags) {
  auto doc = std::make_unique<YDocument>();
  std::istringstream in{std::string(text)};
  try {
    YAML::Parser parser(in);
    TreeBuilder builder(*doc, text, file, diags);
    if (!parser.HandleNextDocument(builder)) return doc;  // empty: no document at all
    DocumentStartSpy spy;
    if (parser.HandleNextDocument(spy))
      diags.error(mark_pos(file, spy.start),
                  "a topology file holds one YAML document; found another here");
  } catch (const TooManyNodes& e) {
    diags.error(e.pos, "more than " + std::to_string(kMaxYamlNodes) +
                           " YAML nodes; a topology this large is refused");
    return nullptr;
  } catch (const YAML::Exception& e) {
    diags.error(mark_pos(file, e.mark), "YAML syntax error: " + e.msg);
    return nullptr;
  }
  return doc;
}

}  // namespace netlab
