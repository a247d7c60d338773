#pragma once
// The scanner of text/template/parse (lex.go): text, actions between {{ and }}, trim markers
// `{{- ` and ` -}}`, comments, and the tokens inside actions. Scans the whole input up front;
// the items end with an EOF item or with an error item carrying Go's message.

#include <string>
#include <string_view>
#include <vector>

namespace ferry::gotmpl {

enum class ItemType {
    error,
    boolean,
    char_,
    char_constant,
    comment,
    complex,
    assign,
    declare,
    eof,
    field,
    identifier,
    left_delim,
    left_paren,
    number,
    pipe,
    raw_string,
    right_delim,
    right_paren,
    space,
    string,
    text,
    variable,
    keyword,  // delimits the keywords below
    block,
    break_,
    continue_,
    dot,
    define,
    else_,
    end,
    if_,
    nil,
    range,
    template_,
    with
};

struct Item {
    ItemType type;
    size_t pos;
    std::string val;
    int line;
    // As Go's item.String(): EOF, the error text, <keyword>, or the quoted value.
    std::string str() const;
};

// Scans input with the default delimiters.
std::vector<Item> lex(std::string_view input);

}  // namespace ferry::gotmpl
