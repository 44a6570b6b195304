#include "glassbox/core/matrix.hpp"
