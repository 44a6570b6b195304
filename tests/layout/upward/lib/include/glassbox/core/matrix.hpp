// A core header that pulls in the tracer: the checker must refuse it.
#pragma once
#include "glassbox/io/trace.hpp"
