#pragma once
// Moving images between two stores over a pair of pipes (ssh's stdin and stdout): the sender
// states each image, the receiver answers which layers it lacks, only those cross, compressed,
// and the receiver verifies every digest and commits the image atomically. ssh_move.cpp
// documents the protocol.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/image/archive_save.hpp"
#include "ferry/image/image_commit.hpp"
#include "ferry/image/store.hpp"
#include "ferry/registry/ssh_frames.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// The version of the conversation; both sides must speak the same.
inline constexpr int k_ssh_protocol = 1;

// What happens to one layer, as the mover reports it.
enum class LayerState {
    present,  // the receiver has it: it does not cross
    moving,   // it is about to cross
    moved,    // it crossed (sender: sent; receiver: verified and staged)
};

// Called per layer with its diff ID (sha256:…); may be empty.
using LayerReporter = std::function<void(std::string_view diff_id, LayerState state)>;
// Called when the receiver has committed an image, before the next one starts; may be empty.
using ImageReporter = std::function<void(const image::CommittedImage& image)>;

// Which side speaks first: the program ssh started on the far side greets first, so that the
// local side knows it reached a ferry before sending anything.
enum class Greeting { first, second };

// Exchanges hello frames. Fails with `the far side speaks ssh move protocol N, this ferry M`.
Result<void> greet(FrameChannel& channel, Greeting order);

// Sends items (in order) to the receiver at the other end of channel, each layer regenerated
// from the store and compressed with compression (zstd or gzip), then ends the conversation.
// Returns the images as the receiver committed them. Fails with the receiver's error text
// when it reports one, with `image sha256:…: the far side recorded it as sha256:…` on an ID
// mismatch, or with `the far side closed the connection`.
Result<std::vector<image::CommittedImage>> send_images(const image::Store& store,
                                                       const std::vector<image::SaveItem>& items,
                                                       Compression compression,
                                                       FrameChannel& channel,
                                                       const LayerReporter& on_layer,
                                                       const ImageReporter& on_image);

// Receives images until the sender ends, committing each atomically (image_commit.hpp) once
// every digest is verified; an error leaves the store as it was for the image being received
// (earlier images stay). Fails with the sender's error text, a digest mismatch (`layer
// sha256:…: digest mismatch (got sha256:…)`), or `the far side closed the connection`.
Result<image::CommitReport> receive_images(image::Store& store, FrameChannel& channel,
                                           const LayerReporter& on_layer,
                                           const ImageReporter& on_image);

}  // namespace ferry::registry
