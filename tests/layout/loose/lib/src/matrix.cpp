#include "glassbox/matrix.hpp"
