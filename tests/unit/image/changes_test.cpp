#include "ferry/image/changes.hpp"

#include <gtest/gtest.h>

namespace ferry::image {
namespace {

ContainerConfig apply_all(std::initializer_list<std::string_view> changes) {
    ContainerConfig c;
    for (auto change : changes) {
        auto r = apply_change(c, change);
        EXPECT_TRUE(r) << change << ": " << r.error().message;
    }
    return c;
}

std::string error_of(std::string_view change) {
    ContainerConfig c;
    auto r = apply_change(c, change);
    return r ? "" : r.error().message;
}

using Strings = std::vector<std::string>;

TEST(Changes, CommandForms) {
    auto c = apply_all({R"(CMD ["sh", "-c", "echo hi"])", "ENTRYPOINT /bin/sh"});
    EXPECT_EQ(c.cmd, (Strings{"sh", "-c", "echo hi"}));
    EXPECT_EQ(c.entrypoint, (Strings{"/bin/sh", "-c", "/bin/sh"}));
    c = apply_all({"cmd echo  hi", R"(entrypoint ["a", 1])"});  // not an array of strings: shell
    EXPECT_EQ(c.cmd, (Strings{"/bin/sh", "-c", "echo  hi"}));
    EXPECT_EQ(c.entrypoint, (Strings{"/bin/sh", "-c", R"(["a", 1])"}));
}

TEST(Changes, EnvAndLabels) {
    auto c = apply_all(
        {R"(ENV A=1 B="two words")", "ENV C 3 4", "ENV A=5", R"(LABEL a=b "c d"=e)", "LABEL a=z"});
    EXPECT_EQ(c.env, (Strings{"A=5", "B=two words", "C=3 4"}));  // docker's order
    EXPECT_EQ(c.labels, (std::map<std::string, std::string>{{"a", "z"}, {"c d", "e"}}));
}

TEST(Changes, OtherInstructions) {
    auto c = apply_all({"EXPOSE 80 53/udp 9/sctp", "USER nobody:nogroup", "WORKDIR /srv",
                        "WORKDIR sub", R"(VOLUME ["/data"])", "VOLUME /a /b", "STOPSIGNAL SIGKILL",
                        "ONBUILD RUN true", "  ", ""});
    EXPECT_EQ(c.exposed_ports, (std::set<std::string>{"80/tcp", "53/udp", "9/sctp"}));
    EXPECT_EQ(c.user, "nobody:nogroup");
    EXPECT_EQ(c.working_dir, "/srv/sub");
    EXPECT_EQ(c.volumes, (std::set<std::string>{"/data", "/a", "/b"}));
    EXPECT_EQ(c.stop_signal, "SIGKILL");
    EXPECT_EQ(c.on_build, (Strings{"RUN true"}));
    EXPECT_EQ(apply_all({"WORKDIR rel"}).working_dir, "/rel");
}

TEST(Changes, Errors) {
    EXPECT_EQ(error_of("COPY a b"),
              "--change `COPY a b`: COPY is not a valid change command (valid: CMD, ENTRYPOINT, "
              "ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)");
    EXPECT_EQ(error_of("ENV"), "--change `ENV`: missing arguments");
    EXPECT_EQ(error_of("ENV FOO"), "--change `ENV FOO`: `FOO` needs a value");
    EXPECT_EQ(error_of("LABEL =x"), "--change `LABEL =x`: `=x` is not KEY=VALUE");
    EXPECT_EQ(error_of(R"(ENV "x)"), "--change `ENV \"x`: unterminated quote");
    EXPECT_EQ(error_of("EXPOSE 80/xyz"), "--change `EXPOSE 80/xyz`: invalid port `80/xyz`");
    EXPECT_EQ(error_of("EXPOSE http"), "--change `EXPOSE http`: invalid port `http`");
}

}  // namespace
}  // namespace ferry::image
