// Two headers of one folder that include each other: the checker must refuse them.
#pragma once
#include "glassbox/nn/dense.hpp"
