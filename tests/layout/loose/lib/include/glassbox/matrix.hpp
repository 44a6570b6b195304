// A header outside every layer folder: the checker must refuse it.
#pragma once
