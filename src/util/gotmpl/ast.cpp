// Node::str follows the String methods of text/template/parse/node.go.

#include "ferry/util/gotmpl/ast.hpp"

namespace ferry::gotmpl {

namespace {

std::string join_dots(const std::vector<std::string>& parts) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i)
        out += (i ? "." : "") + parts[i];
    return out;
}

std::string control(const char* name, const Node& n) {
    std::string out = std::string("{{") + name + " " + n.pipe->str() + "}}" + n.list->str();
    if (n.else_list) out += "{{else}}" + n.else_list->str();
    return out + "{{end}}";
}

}  // namespace

std::string Node::str() const {
    switch (type) {
        case NodeType::text:
            return text;
        case NodeType::action:
            return "{{" + pipe->str() + "}}";
        case NodeType::boolean:
            return boolean ? "true" : "false";
        case NodeType::chain: {
            std::string out = term->type == NodeType::pipe ? "(" + term->str() + ")" : term->str();
            for (const auto& f : chain)
                out += "." + f;
            return out;
        }
        case NodeType::command: {
            std::string out;
            for (size_t i = 0; i < nodes.size(); ++i) {
                if (i > 0) out += " ";
                if (nodes[i]->type == NodeType::pipe)
                    out += "(" + nodes[i]->str() + ")";
                else
                    out += nodes[i]->str();
            }
            return out;
        }
        case NodeType::dot:
            return ".";
        case NodeType::field:
            return "." + join_dots(ident);
        case NodeType::identifier:
            return text;
        case NodeType::if_:
            return control("if", *this);
        case NodeType::range:
            return control("range", *this);
        case NodeType::with:
            return control("with", *this);
        case NodeType::list: {
            std::string out;
            for (const auto& n : nodes)
                out += n->str();
            return out;
        }
        case NodeType::nil:
            return "nil";
        case NodeType::number:
            return text;
        case NodeType::pipe: {
            std::string out;
            if (!decl.empty()) {
                for (size_t i = 0; i < decl.size(); ++i)
                    out += (i ? ", " : "") + decl[i]->str();
                out += is_assign ? " = " : " := ";
            }
            for (size_t i = 0; i < nodes.size(); ++i)
                out += (i ? " | " : "") + nodes[i]->str();
            return out;
        }
        case NodeType::string:
            return text;
        case NodeType::template_: {
            std::string out = "{{template \"" + text + "\"";
            if (pipe) out += " " + pipe->str();
            return out + "}}";
        }
        case NodeType::variable:
            return join_dots(ident);
        case NodeType::break_:
            return "{{break}}";
        case NodeType::continue_:
            return "{{continue}}";
        case NodeType::else_:
            return "{{else}}";
        case NodeType::end:
            return "{{end}}";
    }
    return "";
}

}  // namespace ferry::gotmpl
