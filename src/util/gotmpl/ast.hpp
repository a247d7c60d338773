#pragma once
// The parse tree of a Go template, as text/template/parse's nodes: one Node type whose fields
// are used according to its NodeType. String() gives the text Go's nodes print, which execution
// errors quote (`executing "" at <.Config.Foo>: ...`).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ferry::gotmpl {

enum class NodeType {
    text,
    action,
    boolean,
    chain,
    command,
    dot,
    field,
    identifier,
    if_,
    list,
    nil,
    number,
    pipe,
    range,
    string,
    template_,
    variable,
    with,
    break_,
    continue_,
    else_,
    end
};

// A number literal: every form it can take, as parse.NumberNode.
struct Number {
    bool is_int = false, is_uint = false, is_float = false;
    int64_t i = 0;
    uint64_t u = 0;
    double f = 0;
};

struct Node {
    NodeType type;
    size_t pos = 0;  // byte offset in the template text
    int line = 0;

    std::string text;                // text, identifier, number, string (quoted), template name
    std::string value;               // a string literal's value
    bool boolean = false;            // a bool literal
    Number number;                   // a number literal
    std::vector<std::string> ident;  // field (without dots), variable ($x then fields)
    std::vector<std::string> chain;  // fields after a chain's term
    std::vector<std::unique_ptr<Node>> nodes;  // list items, pipe commands, command args
    std::vector<std::unique_ptr<Node>> decl;   // a pipe's variables
    bool is_assign = false;                    // `$x = ` rather than `$x := `
    std::unique_ptr<Node> pipe;                // action, if, range, with, template
    std::unique_ptr<Node> list, else_list;     // if, range, with
    std::unique_ptr<Node> term;                // a chain's term

    Node(NodeType t, size_t p, int l = 0) : type(t), pos(p), line(l) {}
    // The node as Go's String() prints it.
    std::string str() const;
};

}  // namespace ferry::gotmpl
