#pragma once
#include "glassbox/nn/layer.hpp"
