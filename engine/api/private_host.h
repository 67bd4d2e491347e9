// The namespace an isolated lab has for its host (Host::isolated): made before anything of the
// lab, proved the lab's own by its identity before it is used or removed, removed after all
// else. The kernel seen through engine/kernel/instance_kernel.h calls it "host".
#pragma once

#include <vector>

#include "apply/kernel.h"
#include "plan/plan.h"
#include "record/store.h"
#include "state/desired.h"

namespace netlab {

// What keeps `desired` from the host it would have: the lab is up on the machine's network and
// asked up isolated, or the other way round; or the namespace for its host is somebody else's.
std::vector<Conflict> private_host_conflicts(const DesiredState& desired, const Record& record,
                                             const NsLive& host);

// Makes the host of an isolated lab when it is not there, journalled before and after, with
// its loopback up as a machine's is; records the identity of one a killed run made without
// recording it. `made` is set as soon as it began to make one: a failure after that leaves one
// to take back. Call after private_host_conflicts found none.
void settle_private_host(const DesiredState& desired, Kernel& kernel, RecordStore& store,
                         Record& record, const NsLive& host, bool& made);

// Deletes it if it is the lab's (the identity recorded, or what a killed run of the lab left at
// its path), and forgets it either way: a namespace of that name that is not the lab's is left
// alone.
void remove_private_host(Kernel& kernel, RecordStore& store, Record& record, const NsLive& host);

// The record holds nothing but the host: a run rolled back, or a lab with nothing else left.
bool only_private_host(const Record& record);

}  // namespace netlab
