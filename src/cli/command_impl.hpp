#pragma once
// Template body of cli::dispatch (kept apart from the declarations in command.hpp).

namespace ferry::cli {

template <class Options>
Result<int> dispatch(Result<Options> (*parse)(Args), Result<int> (*run)(const Options&, Context&),
                     Args args, Context& ctx) {
    Options options = TRY(parse(args));
    if (options.help) {
        print_out(*options.help);
        return 0;
    }
    return run(options, ctx);
}

}  // namespace ferry::cli
