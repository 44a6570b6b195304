// glassbox evaluate and glassbox predict: what a saved model does on data (evaluate.cpp).
#pragma once

namespace glassbox {

// `glassbox evaluate MODEL [DATA] [--mistakes N]`, with argv[0] = "evaluate". Returns the exit code.
int evaluate_command(int argc, char** argv);
// `glassbox predict MODEL INPUT [-o FILE]`, with argv[0] = "predict". Returns the exit code.
int predict_command(int argc, char** argv);

}  // namespace glassbox
