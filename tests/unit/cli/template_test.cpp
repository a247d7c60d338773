// docker's side of --format: its functions, its inspect rules (typed first, then the raw JSON
// with missingkey=error) and its listing rules (table headers, Label, errors). Expected texts are
// those docker 20.10's CLI (Debian's docker.io) prints for the same templates.

#include <gtest/gtest.h>

#include "ferry/cli/json_template.hpp"
#include "ferry/cli/table.hpp"
#include "ferry/cli/template/docker_types.hpp"
#include "ferry/cli/template/json_value.hpp"

namespace ferry::cli {
namespace {

Json container_doc() {
    return Json::parse(
        R"({"Id":"abc","Created":"2026-12-06T11:16:21.4Z","Path":"sleep","Args":["100"],
      "State":{"Status":"created","Running":false,"Paused":false,"Restarting":false,"OOMKilled":false,
               "Dead":false,"Pid":0,"ExitCode":0,"Error":"","StartedAt":"0001-01-01T00:00:00Z",
               "FinishedAt":"0001-01-01T00:00:00Z"},
      "Name":"/c1","HostConfig":{"NetworkMode":"host","RestartPolicy":{"Name":"no","MaximumRetryCount":0},
               "ConsoleSize":[0,0],"Memory":0},
      "Config":{"Env":["A=1","B=2"],"Cmd":["sleep","100"],"Labels":{"x":"y","a":"b"},"Image":"bb"},
      "Mounts":[], "Unknown": 1})");
}

std::string inspect(std::string_view format, const Json& doc = container_doc()) {
    auto r = render_json_template(format, doc, "types.ContainerJSON");
    if (!r) return "ERR " + std::to_string(r.error().exit_code) + ": " + r.error().message;
    return *r;
}

TEST(InspectTemplate, TypedValuesPrintAsDockers) {
    EXPECT_EQ(inspect("{{.State}}"),
              "{created false false false false false 0 0  0001-01-01T00:00:00Z "
              "0001-01-01T00:00:00Z <nil>}");
    EXPECT_EQ(inspect("{{.Config.Labels}}|{{.Config.Labels.nope}}|{{.HostConfig.Binds}}|{{."
                      "HostConfig.ConsoleSize}}"),
              "map[a:b x:y]|<no value>|[]|[0 0]");
    EXPECT_EQ(
        inspect("{{.HostConfig.RestartPolicy}} {{.HostConfig.Memory}} {{.HostConfig.PidsLimit}}"),
        "{no 0} 0 <nil>");
    EXPECT_EQ(inspect("{{json .State}}"),
              "{\"Status\":\"created\",\"Running\":false,\"Paused\":false,\"Restarting\":false,"
              "\"OOMKilled\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\","
              "\"StartedAt\":\"0001-01-01T00:00:00Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"}");
    EXPECT_EQ(inspect("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}"), "a=b;x=y;");
    EXPECT_EQ(inspect("{{join .Config.Env \",\"}} {{upper .Name}} {{json .Config.Cmd}}"),
              "A=1,B=2 /C1 [\"sleep\",\"100\"]");
    EXPECT_EQ(inspect("{{.Unknown}}"), "1");  // not in docker's type: the raw JSON has it
}

TEST(InspectTemplate, ErrorsAreDockers) {
    EXPECT_EQ(inspect("{{.Foo}}"),
              "ERR 1: template parsing error: template: :1:2: executing \"\" at "
              "<.Foo>: map has no entry for key \"Foo\"");
    EXPECT_EQ(inspect("{{len .Config.Labels.nokey}}"),
              "ERR 1: template parsing error: template: :1:13: executing \"\" at "
              "<.Config.Labels.nokey>: map has no entry for key \"nokey\"");
    EXPECT_EQ(inspect("{{.State.Health.Status}}"),
              "ERR 1: template parsing error: template: :1:8: executing \"\" at "
              "<.State.Health.Status>: map has no entry for key \"Health\"");
    EXPECT_EQ(inspect("{{upper .Config.Labels}}"),
              "ERR 1: template parsing error: template: :1:15: executing \"\" at <.Config.Labels>: "
              "wrong type for value; expected string; got map[string]interface {}");
    EXPECT_EQ(inspect("{{foo}}"),
              "ERR 64: template parsing error: template: :1: function \"foo\" not defined");
    Json volume = Json::parse(R"({"Driver":"local","Mountpoint":"/v","Name":"v","Scope":"local"})");
    auto t = InspectTemplate::parse("{{.Foo}}");
    ASSERT_TRUE(t);
    auto r = t->render(volume, "types.Volume", false);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "template parsing error: template: :1:2: executing \"\" at <.Foo>: "
              "can't evaluate field Foo in type types.Volume");
    EXPECT_EQ(*t->render(Json::parse("{}")), "<no value>");  // untyped: missing keys print
}

TEST(InspectTemplate, DockerFunctions) {
    EXPECT_EQ(inspect("{{split \"a,b\" \",\"}} {{title \"hello world\"}} {{lower \"AbC\"}}"),
              "[a b] Hello World abc");
    EXPECT_EQ(inspect("[{{pad \"x\" 1 2}}][{{pad \"\" 1 2}}] {{truncate \"abcdef\" 3}} {{truncate "
                      "\"ab\" 3}}"),
              "[ x  ][] abc ab");
    EXPECT_EQ(inspect("{{json \"<&>\"}} {{join .Config.Cmd \"+\"}}"), "\"<&>\" sleep+100");
    EXPECT_EQ(inspect("{{join .Config.Labels \"+\"}}"),  // docker 20.10: strings.Join
              "ERR 1: template parsing error: template: :1:14: executing \"\" at <.Config.Labels>: "
              "wrong type for value; expected []string; got map[string]interface {}");
    EXPECT_EQ(inspect("{{json .Config.Labels}}"), "{\"a\":\"b\",\"x\":\"y\"}");
}

TEST(InspectTemplate, DockerTypeOfDocuments) {
    EXPECT_EQ(docker_type_for(container_doc()), "types.ContainerJSON");
    EXPECT_EQ(docker_type_for(Json::parse(R"({"Id":"x","RepoTags":[],"RootFS":{}})")),
              "types.ImageInspect");
    EXPECT_EQ(docker_type_for(Json::parse(R"({"Name":"v","Mountpoint":"/","Scope":"local"})")),
              "types.Volume");
    EXPECT_EQ(docker_type_for(Json::parse(R"({"Client":{}})")), "");
    EXPECT_NE(tmpl::docker_type("types.ContainerJSON"), nullptr);
    EXPECT_NE(tmpl::docker_type("types.ImageInspect"), nullptr);
    EXPECT_EQ(tmpl::docker_type("nope.Nope"), nullptr);
}

std::vector<Row> rows() {
    return {{{"ID", "1"}, {"Names", "web"}, {"Labels", "app=x,tier=front"}, {"CreatedAt", "now"}},
            {{"ID", "22"}, {"Names", "db"}, {"Labels", ""}, {"CreatedAt", "then"}}};
}

std::string list(std::string_view format) {
    std::vector<Column> cols = {{"ID", "CONTAINER ID"}, {"Names", "NAMES"}};
    auto r = render(cols, rows(), format, "formatter.ContainerContext");
    if (!r) return "ERR " + std::to_string(r.error().exit_code) + ": " + r.error().message;
    return *r;
}

TEST(ListingTemplate, RowsTablesAndLabels) {
    EXPECT_EQ(list(""), "CONTAINER ID   NAMES\n1              web\n22             db\n");
    EXPECT_EQ(list("{{.Names}}:{{.Label \"tier\"}}"), "web:front\ndb:\n");
    EXPECT_EQ(
        list("table {{.Names}}\\t{{.Label \"com.tier_x\"}}\\t{{upper .CreatedAt}}"),
        "NAMES     tier x    CREATED AT\nweb                 NOW\ndb                  THEN\n");
    EXPECT_EQ(list("{{if eq .Names \"db\"}}{{.ID}}{{end}}"), "\n22\n");
    EXPECT_EQ(list("{{json .}}"),
              "{\"CreatedAt\":\"now\",\"ID\":\"1\",\"Labels\":\"app=x,tier=front\","
              "\"Names\":\"web\"}\n{\"CreatedAt\":\"then\",\"ID\":\"22\",\"Labels\":\"\","
              "\"Names\":\"db\"}\n");
    EXPECT_EQ(list("json"), list("{{json .}}"));
    EXPECT_EQ(list("table {{.ID}}\\t{{.Names}}\\t"),
              "CONTAINER ID   NAMES     \n1              web       \n22             db        \n");
}

TEST(ListingTemplate, HeaderWithoutRows) {
    auto r = render({{"ID", "CONTAINER ID"}}, {}, "table {{.ID}}\\t{{.CreatedAt}}",
                    "formatter.ContainerContext");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, "CONTAINER ID   CREATED AT\n");
}

TEST(ListingTemplate, ErrorsAreDockers) {
    EXPECT_EQ(list("{{.Foo}}"),
              "ERR 1: template parsing error: template: :1:2: executing \"\" at <.Foo>: "
              "can't evaluate field Foo in type *formatter.ContainerContext");
    EXPECT_EQ(list("{{.Names \"x\"}}"),
              "ERR 1: template parsing error: template: :1:2: executing \"\" at "
              "<.Names>: wrong number of args for Names: want 0 got 1");
    EXPECT_EQ(list("{{foo}}"),
              "ERR 1: template parsing error: template: :1: function \"foo\" not defined");
    Row empty = {{"Names", ""}};
    auto bad = check_format("table {{.Names}}\\t{{.Foo}}", empty, "formatter.ContainerContext");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "failed to execute template: template: :1:20: executing \"\" at <.Foo>: "
              "can't evaluate field Foo in type *formatter.ContainerContext");
}

}  // namespace
}  // namespace ferry::cli
