// Registered ids of the Keepalive Analysis protocol: fields (hf_), subtrees (ett_), expert
// infos (ei_) and the tap. Defined and registered in protocol.cpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <epan/expert.h>

#include "../core/findings.h"

namespace kaws {

extern int proto_keepalive;
extern int keepalive_tap;

extern int hf_endpoint;
extern int hf_server;
extern int hf_role;
// hf id of each ka::Field (indexed by the enum).
extern int hf_field[ka::kFieldCount];

enum Subtree { ett_keepalive, ett_timing, ett_next, ett_retrans, ett_sccp, ett_path, ett_syslog, ett_capture, ett_count };
extern int ett[ett_count];
// hf id of each field group's item (FT_NONE), indexed like ett; none for ett_keepalive.
extern int hf_group[ett_count];

// Expert info of each ka::Expert (indexed by the enum).
extern expert_field ei[ka::kExpertCount];
// Its registered severity (PI_CHAT ... PI_ERROR).
int expert_severity(ka::Expert e);

// Preference: tag the Info column of frames with a warning or error.
extern bool pref_info_column;

}  // namespace kaws
